from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model

from config import fragments


class MinutesConfig(AppConfig):
    """Minutes of meetings: sections, redaction, comments, answers, approved versions."""

    name = "minutes"

    def ready(self) -> None:
        # Kept pages and figures (the dashboard, start pages, lists) are rendered again
        # once a change to what they show commits: every model of these apps, and every
        # many-to-many link among them and to staff roles.
        models = {topic: list(apps.get_app_config(label).get_models()) for label, topic in fragments.APP_TOPICS.items()}
        links = {
            topic: [field.remote_field.through for model in found for field in model._meta.local_many_to_many]
            for topic, found in models.items()
        }
        links["people"].append(get_user_model().groups.through)
        fragments.connect_models(models, links)
