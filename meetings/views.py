from django.shortcuts import render


def start(request):
    """The service's front door. It shows nothing about any family: that is behind login."""
    return render(request, "start.html")
