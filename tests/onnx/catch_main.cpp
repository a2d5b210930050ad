// The Catch2 (v2) main of small_onnx_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
