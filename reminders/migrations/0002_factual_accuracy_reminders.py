"""A reminder kind for the factual-accuracy check closing soon, on by default."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminderpreference",
            name="factual_accuracy",
            field=models.BooleanField(
                default=True, verbose_name="Factual-accuracy checks of draft reports closing soon"
            ),
        ),
    ]
