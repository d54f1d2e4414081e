"""The OBD call API (obd-api.myoperator.co): POST /obd-api-v1."""
