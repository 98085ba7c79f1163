#ifndef FLOTILLA_CLIBYAML_SHIM_H
#define FLOTILLA_CLIBYAML_SHIM_H
/* The system libyaml (libyaml-dev, 0.2.5): FlotillaSource drives its event parser directly. */
#include <yaml.h>
#endif
