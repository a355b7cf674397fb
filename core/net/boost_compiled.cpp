// Asio, Asio SSL and Beast are built once here (separate compilation) instead
// of in every translation unit that includes them: the largest saving in build time.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
