"""The project's container image on this machine: podman settings, the debootstrap base, the image build.

Imports the standard library and `generator.errors` only; the local runner's in-image mode reads its podman settings.
"""
