from django.apps import AppConfig


class KeystoreConfig(AppConfig):
    name = "skillcert.keystore"
    label = "keystore"
    verbose_name = "签名密钥库"
