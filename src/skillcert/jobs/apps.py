from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work: the job queue (django-tasks, database backend), the workers that run
    it, the periodic jobs they schedule, and the progress of jobs a person started.

    Infrastructure beside audit and accounts: it knows no business app. The apps above it
    declare their jobs in a ``tasks`` module, which the worker imports."""

    name = "skillcert.jobs"
    label = "jobs"
    verbose_name = "后台任务"
