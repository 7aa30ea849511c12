"""Student pages: the plan pages (``urls_plan``) and the lists, queues, import and export (``urls_lists``)."""

from students.urls_lists import urlpatterns as list_patterns
from students.urls_plan import urlpatterns as plan_patterns

app_name = "students"
urlpatterns = [*plan_patterns, *list_patterns]
