# The image installs the Debian package: build it first in a clone set up with ./scripts/setup.sh,
#   npm run package && docker build -t vrrpwatch .
# (No Docker engine runs on the development machines: this file is not built by the tests; the package
# it installs is, by test/e2e/package.test.ts.)
FROM debian:bookworm-slim
COPY vrrpwatch_*_amd64.deb /tmp/
# In the image the bundled node runs nothing but vrrpwatch, so it may carry the file capability
# cap_net_raw (effective only when the container is granted it: --cap-add NET_RAW) for the unprivileged
# user vrrpwatch that the package creates. On a host the package gives the capability through the unit
# and the Nagios check instead.
RUN apt-get update \
    && apt-get install -y --no-install-recommends /tmp/vrrpwatch_*_amd64.deb iputils-ping \
    && setcap cap_net_raw+ep /usr/lib/vrrpwatch/node \
    && rm -rf /var/lib/apt/lists/* /tmp/vrrpwatch_*_amd64.deb
USER vrrpwatch
EXPOSE 9842
# /usr/bin/vrrpwatch runs the bundled node with the project's V8 flags.
ENTRYPOINT ["/usr/bin/vrrpwatch"]
