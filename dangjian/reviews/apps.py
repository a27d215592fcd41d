from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "dangjian.reviews"
    label = "reviews"
    verbose_name = "民主评议与支部评星"
