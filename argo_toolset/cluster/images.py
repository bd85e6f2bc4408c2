"""The node's images: the pause and executor images built here with podman, and every image the pods run copied
from podman's storage into containerd's (the kubelet's runtime), once per image version."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from argo_toolset.cluster.layout import ClusterLayout
from argo_toolset.cluster.settings import ClusterSettings
from argo_toolset.podman import podman

CONTAINERD_NAMESPACE = "k8s.io"  # the namespace containerd's CRI plugin (the kubelet's view) keeps images in
# The executor image's user, as in Argo's own executor image: numeric and non-root, so runAsNonRoot admits it.
EXECUTOR_USER = 8737


class ImageError(Exception):
    """An image could not be built or copied into containerd."""


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise ImageError(f"{' '.join(command[:6])}... failed: {(result.stderr or result.stdout).strip()[-1500:]}")
    return result


def build_node_images(layout: ClusterLayout, settings: ClusterSettings) -> None:
    """The pause image (our static `pause` on an empty image) and the executor image (`argoexec` on the
    project's bookworm base, as a non-root user)."""
    recipes = {
        settings.pause_image: ("pause", 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n'),
        settings.executor_image: ("argoexec", f"FROM {settings.base_image}\nCOPY argoexec /bin/argoexec\n"
                                     f"USER {EXECUTOR_USER}:{EXECUTOR_USER}\nENTRYPOINT [\"argoexec\"]\n"),
    }
    for tag, (binary, containerfile) in recipes.items():
        with tempfile.TemporaryDirectory(prefix="cluster-image-") as context:
            (Path(context) / binary).write_bytes((layout.bin_dir / binary).read_bytes())
            (Path(context) / binary).chmod(0o755)
            (Path(context) / "Containerfile").write_text(containerfile)
            _run(podman("build", "--network", "host", "--layers", "--tag", tag, "--file",
                        str(Path(context) / "Containerfile"), context))


def podman_image_id(image: str) -> str:
    return _run(podman("image", "inspect", "--format", "{{.Id}}", image)).stdout.strip()


def _imported_file(layout: ClusterLayout) -> Path:
    # Beside containerd's root, so that wiping the root also forgets what was imported.
    return layout.containerd_root / "imported-from-podman.json"


def import_into_containerd(layout: ClusterLayout, images: list[str], echo=lambda _line: None) -> None:
    """Copies each podman image into containerd, skipping those whose podman image id was imported before."""
    record_path = _imported_file(layout)
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    for image in images:
        image_id = podman_image_id(image)
        if record.get(image) == image_id:
            continue
        echo(f"copying {image} from podman into containerd")
        save = subprocess.Popen(podman("save", "--format", "docker-archive", image), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        imported = subprocess.run(["ctr", "--address", str(layout.containerd_socket), "--namespace",
                                   CONTAINERD_NAMESPACE, "images", "import", "-"],
                                  stdin=save.stdout, capture_output=True, text=True, check=False)
        save.stdout.close()
        saved = save.wait()
        if saved != 0 or imported.returncode != 0:
            raise ImageError(f"copying {image} into containerd failed: {save.stderr.read().decode()[-800:]} "
                             f"{imported.stderr[-800:]}")
        record[image] = image_id
        record_path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
