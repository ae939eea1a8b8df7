{
  "variables": {
    "ricciflow_march%": "x86-64-v3",
    "ricciflow_portable%": 1,
    "ricciflow_portable_ldflags": [
      "-static-libstdc++",
      "-static-libgcc",
      "-Wl,--exclude-libs,ALL",
      "<!@(node -e \"process.stdout.write(require('fs').readFileSync('native/compat/wrapped-symbols.txt','utf8').split(/\\r?\\n/).filter(l=>l&&!l.startsWith('#')).map(s=>'-Wl,--wrap='+s).join(' '))\")"
    ]
  },
  "targets": [
    {
      "target_name": "ricciflow",
      "sources": [
        "<!@(node -e \"process.stdout.write(require('fs').readFileSync('native/sources.txt','utf8').split(/\\r?\\n/).filter(l=>l&&!l.startsWith('#')).join(' '))\")"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "EIGEN_DONT_PARALLELIZE",
        "EIGEN_MPL2_ONLY"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": [
        "-isystem", "<!(node -p \"require('path').resolve(process.env.EIGEN3_INCLUDE_DIR || 'native/third_party/eigen')\")",
        "-std=c++17", "-fexceptions", "-O3", "-fopenmp", "-fno-math-errno", "-Wno-unused-parameter"],
      "ldflags": ["-fopenmp"],
      "conditions": [
        ["target_arch=='x64'", {
          "cflags_cc": ["-march=<(ricciflow_march)"]
        }],
        ["OS=='linux' and ricciflow_portable==1", {
          "defines": ["RICCIFLOW_GLIBC_COMPAT"],
          "ldflags": ["<@(ricciflow_portable_ldflags)"],
          "libraries": ["-Wl,--push-state,--no-as-needed", "-l:libpthread.so.0", "-Wl,--pop-state"]
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-Xpreprocessor", "-fopenmp"]
      }
    }
  ]
}
