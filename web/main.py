"""ASGI entry point for uvicorn: ``uvicorn --factory web.main:app_factory``."""

from fastapi import FastAPI

from .app import create_app
from .settings import Settings


def app_factory() -> FastAPI:
    return create_app(Settings())
