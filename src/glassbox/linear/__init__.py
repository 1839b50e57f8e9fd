"""Linear models: exact least squares now; descent, regularized and logistic models as they land."""
