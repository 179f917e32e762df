from participants.rules import is_administrator, is_chair, is_manager


def roles(request) -> dict:
    """The signed-in user's staff roles, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": set()}
    found = {
        name
        for name, predicate in (("administrator", is_administrator), ("chair", is_chair), ("manager", is_manager))
        if predicate(user)
    }
    return {"roles": found}
