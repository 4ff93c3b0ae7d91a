#!/bin/sh
# Compiles the runtime client (AWS's com.amazonaws.services.lambda.runtime interfaces and
# lambda-host's loop) against Debian's Jackson into /var/runtime/lib, links java where AWS's
# image has it, and dumps a class-data archive so the JVM starts faster.
set -eu
mkdir -p /var/lang/bin /var/runtime/lib /tmp/lambda-host-classes
ln -s "$(readlink -f /usr/bin/java)" /var/lang/bin/java
cp=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
javac -nowarn -encoding UTF-8 -cp "$cp" -d /tmp/lambda-host-classes $(find /var/runtime/src -name '*.java')
jar --create --file /var/runtime/lib/aws-lambda-java-core.jar -C /tmp/lambda-host-classes com
jar --create --file /var/runtime/lib/lambda-host-runtime.jar -C /tmp/lambda-host-classes lambdahost
rm -rf /tmp/lambda-host-classes /var/runtime/src
echo /var/runtime/lib/lambda-host-runtime.jar:/var/runtime/lib/aws-lambda-java-core.jar:/var/runtime/lib/jackson-databind.jar:/var/runtime/lib/jackson-core.jar:/var/runtime/lib/jackson-annotations.jar > /var/runtime/classpath
for jar in jackson-databind jackson-core jackson-annotations; do
  ln -s "$(readlink -f /usr/share/java/$jar.jar)" /var/runtime/lib/$jar.jar
done
# The classes a start loads, archived once (the bootstrap's class path must be this one).
cd /var/runtime/lib
java -XX:ArchiveClassesAtExit=/var/runtime/lib/runtime.jsa -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -cp "$(cat /var/runtime/classpath)" lambdahost.runtime.Warmup
