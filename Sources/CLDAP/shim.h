#ifndef SESAME_CLDAP_SHIM_H
#define SESAME_CLDAP_SHIM_H
// Debian's libldap (libldap-dev), OpenLDAP's client library.
#include <lber.h>
#include <ldap.h>
#endif
