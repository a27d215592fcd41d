from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_delete, pre_migrate, pre_save

        from dangjian.core.cache import before_delete, before_save, install, migrated, migrating

        # Every database connection reports project writes to the cache (core.cache).
        connection_created.connect(install, dispatch_uid="dangjian-cache-write-watcher")
        pre_migrate.connect(migrating, dispatch_uid="dangjian-cache-migrating")
        post_migrate.connect(migrated, dispatch_uid="dangjian-cache-migrated")
        # Saves and deletes say which organisations their row belongs to (scoped invalidation).
        pre_save.connect(before_save, dispatch_uid="dangjian-cache-before-save")
        pre_delete.connect(before_delete, dispatch_uid="dangjian-cache-before-delete")
