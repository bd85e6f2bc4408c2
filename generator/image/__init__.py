"""The project's container image on this machine: podman settings, the debootstrap base, the image build.

Imports the standard library and `argo_toolset.podman` (this machine's podman settings) only: `make base-image`
runs it with the system python3.
"""
