from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("core", "DataVersion").objects.create(id=1, token="initial")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "数据版本", "verbose_name_plural": "数据版本"},
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
