"""The project's container image on this machine: podman settings, the debootstrap base, the image build."""
