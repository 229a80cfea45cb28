"""Importers and exporters for the systems campaigns already use, one package per vendor.

They speak the vendor's vocabulary and reach the apps only through their services and
selectors.
"""
