"""Argon2id with the OWASP-recommended cost (m=19 MiB, t=2, p=1).

Django's default Argon2 parameters use 100 MiB per hash with parallelism 8: on a 2-core
office PC, 50 people logging in at once would ask for 5 GB and queue for seconds
(measured with `manage.py loadtest`). 19 MiB × 2 passes is the OWASP Password Storage
Cheat Sheet's first recommended setting for argon2id. Hashes made with other parameters
still verify and are re-hashed at the next login (must_update).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher as _Argon2


class Argon2PasswordHasher(_Argon2):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
