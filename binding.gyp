{
  "variables": {
    "ricciflow_march%": "x86-64-v3"
  },
  "targets": [
    {
      "target_name": "ricciflow",
      "sources": [
        "<!@(node -e \"process.stdout.write(require('fs').readFileSync('native/sources.txt','utf8').split(/\\r?\\n/).filter(l=>l&&!l.startsWith('#')).join(' '))\")"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.EIGEN3_INCLUDE_DIR || 'native/third_party/eigen'\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "EIGEN_DONT_PARALLELIZE",
        "EIGEN_MPL2_ONLY"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fopenmp", "-march=<(ricciflow_march)", "-fno-math-errno", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-Xpreprocessor", "-fopenmp"]
      }
    }
  ]
}
