"""Loaded by run.sh (SCHEMATHESIS_HOOKS=hooks).

POST /auth/events takes a Security Event Token as `application/secevent+jwt`
(RFC 8935): a compact JWT, which is plain text on the wire.
"""
import schemathesis

schemathesis.serializer.alias("application/secevent+jwt", "text/plain")
