#!/usr/bin/env bash
# Installs what the test suite needs and is not part of Go's toolchain:
# poppler-utils (pdftotext/pdftoppm), LibreOffice Calc (soffice), moto_server, cfn-lint, the SAM
# translator, Chromium (scripts/ensure-chromium.sh), the AWS Lambda Runtime
# Interface Emulator (for the host and, with qemu-user-static, for
# linux/arm64), staticcheck, and the caniemail data (npm, into
# tools/caniemail). Installs where it can; otherwise stops with
# the exact command to run. Never skips silently.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-tools: installing $* (Debian packages)" >&2
    # Wait for another apt run instead of failing on its lock.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null ||
      missing+=("sudo apt-get install -y $*")
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
# LibreOffice Calc, headless, opens the digest's workbook in a test (pkg/workbook).
command -v soffice >/dev/null || apt_install libreoffice-calc-nogui
command -v moto_server >/dev/null || pip_install 'moto[server]>=5,<6'
command -v cfn-lint >/dev/null || pip_install 'cfn-lint>=1'
python3 -c 'import samtranslator' 2>/dev/null || pip_install aws-sam-translator
# Chromium for the preview's browser test; the script prints its own command.
scripts/ensure-chromium.sh || missing+=("bash scripts/ensure-chromium.sh")

# The Lambdas ship for linux/arm64. On other hosts the tests run them, and
# an arm64 build of the emulator, under qemu user-mode emulation (called
# explicitly, so binfmt_misc is not needed).
if [ "$(uname -m)" != aarch64 ] && ! command -v qemu-aarch64-static >/dev/null; then
  apt_install qemu-user-static
fi

# The Runtime Interface Emulator is a Go module: build it into ./bin.
rie_mod=github.com/aws/aws-lambda-runtime-interface-emulator
rie_version=v0.0.0-20261030222936-bef5c4ba774d
if [ ! -x bin/aws-lambda-rie ]; then
  echo "ensure-tools: building aws-lambda-rie into ./bin" >&2
  GOBIN="$PWD/bin" go install "$rie_mod/cmd/aws-lambda-rie@$rie_version" \
    || missing+=("GOBIN=\$PWD/bin go install $rie_mod/cmd/aws-lambda-rie@$rie_version")
fi
# And for linux/arm64 (go install cannot put a cross-compiled binary in
# GOBIN, so build it inside the module's download directory).
if [ "$(uname -m)" != aarch64 ] && [ ! -x bin/aws-lambda-rie-arm64 ]; then
  echo "ensure-tools: building the linux/arm64 aws-lambda-rie into ./bin" >&2
  if ! { rie_dir="$(go mod download -json "$rie_mod@$rie_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" &&
    [ -n "$rie_dir" ] &&
    (cd "$rie_dir" && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o "$OLDPWD/bin/aws-lambda-rie-arm64" ./cmd/aws-lambda-rie); }; then
    missing+=("(cd \$(go mod download -json $rie_mod@$rie_version | jq -r .Dir) && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o $PWD/bin/aws-lambda-rie-arm64 ./cmd/aws-lambda-rie)")
  fi
fi

# staticcheck, pinned, for make lint.
staticcheck_version=v0.8.2 # staticcheck 2026.2.2
if ! bin/staticcheck -version 2>/dev/null | grep -q "(${staticcheck_version#v})"; then
  echo "ensure-tools: installing staticcheck $staticcheck_version into ./bin" >&2
  GOBIN="$PWD/bin" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" \
    || missing+=("GOBIN=\$PWD/bin go install honnef.co/go/tools/cmd/staticcheck@$staticcheck_version")
fi

# The caniemail.com data and checker (@jsx-email/doiuse-email), pinned by
# tools/caniemail/package-lock.json; the tests run it offline.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=("install Node.js 20 with npm (https://nodejs.org, or: sudo apt-get install -y nodejs npm)")
elif [ ! -f tools/caniemail/node_modules/.package-lock.json ] ||
  [ tools/caniemail/package-lock.json -nt tools/caniemail/node_modules/.package-lock.json ]; then
  echo "ensure-tools: installing the caniemail checker into tools/caniemail (npm ci)" >&2
  npm ci --prefix tools/caniemail --no-audit --no-fund --loglevel=error >/dev/null \
    || missing+=("npm ci --prefix tools/caniemail")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-tools: the test suite needs tools this script could not install. Run:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
