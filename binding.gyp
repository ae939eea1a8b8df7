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
        "<!@(node -e \"const e=process.env.EIGEN3_INCLUDE_DIR;if(e){process.stdout.write(e)}else{try{process.stdout.write(require('child_process').execSync('pkg-config --cflags-only-I eigen3').toString().trim().replace(/^-I/,''))}catch(_){process.stdout.write('/usr/include/eigen3')}}\")"
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
