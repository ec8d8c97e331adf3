#include "kvstore/stats.h"

namespace kv {

Listener::~Listener() = default;

}  // namespace kv
