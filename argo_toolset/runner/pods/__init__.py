"""One container step as a local process or a podman container with its pod's rules; Secrets and paths for both."""
