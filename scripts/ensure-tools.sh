#!/usr/bin/env bash
# Installs what the test suite needs and is not part of Go's toolchain:
# poppler-utils (pdftotext/pdftoppm), moto_server, cfn-lint and the AWS Lambda
# Runtime Interface Emulator. Installs where it can; otherwise stops with the
# exact command to run. Never skips silently.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-tools: installing $* (Debian packages)" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    missing+=("sudo apt-get install -y $*")
  fi
}

pip_install() {
  if command -v pip3 >/dev/null || command -v pip >/dev/null; then
    echo "ensure-tools: installing $* (pip)" >&2
    "$(command -v pip3 || command -v pip)" install -q "$@" || missing+=("pip install $*")
    hash -r
  else
    missing+=("pip install $*")
  fi
}

command -v pdftotext >/dev/null || apt_install poppler-utils
command -v moto_server >/dev/null || pip_install 'moto[server]>=5,<6'
command -v cfn-lint >/dev/null || pip_install 'cfn-lint>=1'
python3 -c 'import samtranslator' 2>/dev/null || pip_install aws-sam-translator

# The Runtime Interface Emulator is a Go module: build it into ./bin.
if [ ! -x bin/aws-lambda-rie ]; then
  echo "ensure-tools: building aws-lambda-rie into ./bin" >&2
  GOBIN="$PWD/bin" go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d \
    || missing+=("GOBIN=\$PWD/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-tools: the test suite needs tools this script could not install. Run:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
