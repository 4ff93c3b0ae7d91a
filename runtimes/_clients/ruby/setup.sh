#!/bin/sh
# Puts ruby where AWS's image has it.
set -eu
mkdir -p /var/lang/bin
ln -s "$(readlink -f /usr/bin/ruby)" /var/lang/bin/ruby
