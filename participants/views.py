from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode

from config import fragments
from config.keyset import keyset_page
from participants import selectors, services
from participants.forms import StaffAccountForm
from participants.rules import is_administrator, is_manager, is_staff_role


@login_required
def staff_accounts(request):
    """Administrators list staff accounts and create new ones."""
    if not is_administrator(request.user):
        raise PermissionDenied("Only administrators can manage staff accounts.")
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.staff_account_create(actor=request.user, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, f"Account created for {person.full_name}. They have been emailed a link to set a password."
            )
            return redirect("participants:staff")
    page = Paginator(selectors.staff_people(), 25).get_page(request.GET.get("page"))
    return render(request, "participants/staff.html", {"form": form, "page": page})


@login_required
def families(request):
    """Staff find a family by case reference, child identifier or name, to schedule from."""
    if not is_staff_role(request.user):
        raise PermissionDenied("Only staff can search families.")
    query = request.GET.get("q", "").strip()
    can_schedule, manager = is_administrator(request.user), is_manager(request.user)

    def rows() -> str:
        families = selectors.search_families(query)
        if query:
            # A search finds a handful; its matches are numbered pages.
            page = Paginator(families, 25).get_page(request.GET.get("page"))
        else:
            # Every family, which grows for ever: by reference, a page at a time.
            page = keyset_page(
                families, "reference", after=request.GET.get("after", ""), before=request.GET.get("before", "")
            )
        context = {
            "page": page,
            "query": query,
            "search_query": urlencode({"q": query}),
            "can_schedule": can_schedule,
            "is_manager": manager,
        }
        return render_to_string("participants/_family_rows.html", context)

    # The same for all staff of the same roles: kept rendered until a person, family or
    # child changes (``config.fragments``).
    key = f"{can_schedule}:{manager}?{request.GET.urlencode()}"
    return render(
        request,
        "participants/families.html",
        {"query": query, "rows": fragments.kept("families", ("people",), key, rows)},
    )
