#!/bin/sh
# Relocates Debian's Python under /var/lang as AWS's image has it: a copy of the
# interpreter (not a symlink, so sys.prefix is /var/lang) next to a link to the stdlib,
# and the bundled boto3 in its site-packages, compiled.
set -eu
v=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
mkdir -p /var/lang/bin /var/lang/lib
cp /usr/bin/python$v /var/lang/bin/python$v
ln -s python$v /var/lang/bin/python3
ln -s python$v /var/lang/bin/python
ln -s /usr/lib/python$v /var/lang/lib/python$v
mkdir -p /usr/lib/python$v/site-packages
if [ -d /var/lambda-host/site-packages ]; then
  cp -a /var/lambda-host/site-packages/. /usr/lib/python$v/site-packages/
  rm -rf /var/lambda-host/site-packages
fi
# Compiled ahead: at run time these folders are read-only, so nothing could cache bytecode.
python3 -m compileall -q -j 0 /usr/lib/python$v/site-packages /var/runtime
