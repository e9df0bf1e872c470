/* ldmprobe plugin ABI — everything a plugin author includes. Build a plugin with the headers alone:
 *     cc -std=c11 -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include my_plugin.c -o libmy_plugin.so
 * See docs/plugins.md. */
#ifndef LDMPROBE_H
#define LDMPROBE_H

#include "version.h"
#include "tensor.h"
#include "host.h"
#include "params.h"
#include "action.h"
#include "plugin.h"
#include "entry.h"
#include "label.h"
#include "sampler.h"
#include "probe.h"
#include "classifier.h"
#include "labeler.h"
#include "wordmap.h"

#endif
