#!/bin/sh
# /lambda-entrypoint.sh of lambda-host's AWS-compatible base images, doing what the one in AWS's
# images does: the handler is the only argument (the image's CMD); with AWS_LAMBDA_RUNTIME_API set
# (Lambda, or lambda-host) the runtime's bootstrap runs against that API, without it the local
# Runtime Interface Emulator serves one invocation endpoint on port 8080 and runs the bootstrap.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT
else
  exec $RUNTIME_ENTRYPOINT
fi
