"""The PyTorch backend: a printer, the network and model emitters and their fixed text."""
