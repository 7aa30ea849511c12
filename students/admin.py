from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from students.models import Student


@admin.register(Student)
class StudentAdmin(SimpleHistoryAdmin):
    list_display = ("student_number", "user", "status")
    list_filter = ("status",)
    search_fields = ("student_number", "user__username", "user__full_name")
    raw_id_fields = ("user",)
