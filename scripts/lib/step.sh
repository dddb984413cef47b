# Sourced by the setup scripts: announces a step that may take a while and
# reports how long it took, so a first run never sits silent.
#   step_start "installing versitygw v1.8.0 (go install, a few minutes on a fresh machine)"
#   ... work ...
#   step_end "versitygw v1.8.0 ready"
step_start() {
  step_began=$SECONDS
  echo "setup: $1 ..."
}
step_end() {
  echo "setup: $1 ($((SECONDS - step_began)) s)"
}
