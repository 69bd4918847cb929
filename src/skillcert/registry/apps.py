from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "skillcert.registry"
    label = "registry"
    verbose_name = "评价组织备案"

    def ready(self) -> None:
        from skillcert.registry import machines  # noqa: F401  (binds the registry's workflows)
