"""Entry point of the Python runtime, as /var/runtime/bootstrap.py is in AWS's image.

Puts the function's code and its layers on sys.path in Lambda's order
(/var/task, /opt/python/lib/pythonX.Y/site-packages, /opt/python) unless the function
set PYTHONPATH itself, then the runtime's own site-packages (boto3) last, and runs
the loop. The runtime client is imported first, before the function's folders are on
sys.path (as AWS's bootstrap imports its own), so a stem can start it ahead of its
function (``lambda_host_runtime.prestart``).
"""

import os
import site
import sys

from lambda_host_runtime.bootstrap import run
from lambda_host_runtime.prestart import await_function


def _opt_site_packages():
    return "/opt/python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])


def _runtime_site_packages():
    return "/var/lang/lib/python{}.{}/site-packages".format(*sys.version_info[:2])


def set_default_sys_path():
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    user_pythonpath = "PYTHONPATH" in os.environ
    if not user_pythonpath:
        sys.path.insert(0, "/opt/python")
        sys.path.insert(0, _opt_site_packages())
    sys.path.insert(0, task_root)
    site.addsitedir(task_root)
    if not user_pythonpath:
        site.addsitedir(_opt_site_packages())
        site.addsitedir("/opt/python")
        os.environ["PYTHONPATH"] = os.environ.get("LAMBDA_RUNTIME_DIR", "/var/runtime")
    site.addsitedir(_runtime_site_packages())


def main():
    await_function()
    set_default_sys_path()
    run(os.environ["LAMBDA_TASK_ROOT"], os.environ["_HANDLER"], os.environ["AWS_LAMBDA_RUNTIME_API"])


if __name__ == "__main__":
    main()
