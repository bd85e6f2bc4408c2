"""Run by the interpreter of an old scikit-learn virtualenv (never imported by the tests): train and log, or predict.

  python old_sklearn_model.py train TRACKING_URI MODEL_NAME   -> registers version 1 of MODEL_NAME, prints its URI
  python old_sklearn_model.py predict MODEL_URI IN.npy OUT.npy  -> the model's predict in this environment
Standard library plus what the old environment holds (scikit-learn 1.3, NumPy 1, MLflow 2): not this project.
"""

import sys

# What the old environment holds, pinned as its model's requirements: MLflow would write `mlflow==2.x` (the full
# server package, ~180 dependencies) where mlflow-skinny is what the environment really has.
REQUIREMENTS = ["mlflow-skinny==2.17.2", "scikit-learn==1.3.2", "numpy==1.26.4", "pandas==2.1.4",
                "cloudpickle==3.1.3"]


def features():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.drop(columns=["target"])
    frame.columns = [name.strip().replace(" ", "_").lower() for name in frame.columns]
    return frame, data.target


def train(tracking_uri, name):
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.ensemble import GradientBoostingRegressor

    frame, target = features()
    model = GradientBoostingRegressor(n_estimators=40, random_state=0).fit(frame, target)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("old-sklearn-models")
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, "model", signature=infer_signature(frame, model.predict(frame)),
                                 registered_model_name=name, pip_requirements=REQUIREMENTS)
    print(f"models:/{name}/1")


def predict(model_uri, features_file, out_file):
    import mlflow.pyfunc
    import numpy as np
    import pandas as pd

    frame, _ = features()
    values = np.load(features_file)
    model = mlflow.pyfunc.load_model(model_uri)
    np.save(out_file, np.asarray(model.predict(pd.DataFrame(values, columns=frame.columns)), dtype="float64"))


if __name__ == "__main__":
    {"train": train, "predict": predict}[sys.argv[1]](*sys.argv[2:])
