#!/usr/bin/env bash
# Rebuilds backend/gradio_splat/templates/, which are committed so that installing the package or
# putting backend/ on sys.path needs no node. Run it from any folder with the project's Python
# environment active. It is the frontend half of `gradio cc build --no-generate-docs` (build.py in
# gradio's CLI), called directly: the other half only packs a wheel, which nothing here uses.
set -euo pipefail
cd "$(dirname "$0")"

# Templates are tied to the gradio that mounts them (research/gradio.md §3.7): build for the
# version requirements.txt pins.
GRADIO_VERSION=6.31.0
have=$(python -c 'import gradio; print(gradio.__version__)')
if [[ "$have" != "$GRADIO_VERSION" ]]; then
	echo "build.sh: templates are built for gradio $GRADIO_VERSION, this environment has $have" >&2
	exit 1
fi

# Keep in step with SOURCES in tests/test_component.py.
SOURCES="Index.svelte Example.svelte types.ts package.json package-lock.json shared/*"

npm ci --prefix frontend --no-audit --no-fund
rm -rf backend/gradio_splat/templates
gradio_templates=$(python -c 'import gradio, pathlib; print(pathlib.Path(gradio.__file__).parent / "templates" / "frontend")')
(
	cd frontend # @gradio/preview reads ../pyproject.toml from here
	PYTHONPATH="$PWD/../backend${PYTHONPATH:+:$PYTHONPATH}" node node_modules/@gradio/preview/dist/index.js \
		--component-directory "$PWD/.." --root "$gradio_templates" --mode build --python-path "$(command -v python)"
)
# Fingerprint of the sources the templates were built from; tests/test_component.py recomputes it
# to catch a frontend change committed without a rebuild.
(cd frontend && LC_ALL=C sha256sum $(LC_ALL=C ls $SOURCES)) | sha256sum | cut -c1-64 \
	> backend/gradio_splat/templates/sources.sha256
du -b backend/gradio_splat/templates/component/index.js
