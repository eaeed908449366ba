# No models: wrapped keys are in the key store (caucus.crypto.keystore), outside the database.
