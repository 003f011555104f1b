import os
import tempfile

# Tests never touch a developer's ./smart-data.
os.environ.setdefault("SMART_DATA_DIR", tempfile.mkdtemp(prefix="smart-test-"))
