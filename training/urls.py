"""The training app's API routes register on the kernel's one router (orgportal/urls.py mounts it)."""

from . import enrolment_lists, evaluation_results, views  # noqa: F401

urlpatterns = []
