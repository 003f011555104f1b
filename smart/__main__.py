"""The `smart` console script: Django's management commands under SMART's settings."""
import os
import sys

# Commands that must not trigger the automatic migration of the embedded database.
_NO_AUTO_MIGRATE = {"migrate", "makemigrations", "showmigrations", "sqlmigrate", "test", "help", "version", "shell"}


def _migrate_embedded_database() -> None:
    """On embedded SQLite, bring the schema up to date so that any command works on a fresh data dir.

    PostgreSQL deployments migrate explicitly (`smart migrate`), once, not from every process.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smart.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-") and args[0] not in _NO_AUTO_MIGRATE:
        import django

        django.setup()
        _migrate_embedded_database()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smart", *args])


if __name__ == "__main__":
    main()
