"""Demo: models and data for the local demo and the tests (scikit-learn's bundled breast-cancer data)."""
