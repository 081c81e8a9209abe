"""devcloud: a small OpenStack-compatible development cloud on loopback.

It speaks Keystone v3, Nova v2.1, Neutron v2.0, Glance v2 and Placement closely enough that
openstacksdk, the `openstack` CLI and the portal cannot tell it from a real cloud for
the calls Stackport makes. It is a development and demo tool, never a production target.
"""
