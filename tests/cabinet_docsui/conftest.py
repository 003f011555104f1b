from cabinet.fixtures import *  # noqa: F401,F403
