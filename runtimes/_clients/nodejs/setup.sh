#!/bin/sh
# Puts node where AWS's image has it.
set -eu
mkdir -p /var/lang/bin
ln -s /usr/bin/node /var/lang/bin/node
