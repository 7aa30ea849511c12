import factory

from students.models import Student
from tests.factories.accounts import UserFactory


class StudentFactory(factory.django.DjangoModelFactory[Student]):
    class Meta:
        model = Student

    user = factory.SubFactory(UserFactory)
    student_number = factory.Sequence(lambda n: f"S{n:06d}")
